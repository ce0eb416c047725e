'use strict';
// internal-foll-flag: a caller outside mm/ passes an internal FOLL_* flag explicitly.
// (Only cases on which every revision of the rule agrees: flags the entry rejects.)
module.exports = {
  valid: [
    {
      name: 'public flags only', code: `
int if_ok(unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, pages); /* expect-none */
}
` },
    {
      name: 'inside mm/ the flags are the implementation own', files: { '/mm/gup_helper.c': `
int if_mm(unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, 1, FOLL_GET, pages); /* expect-none */
}
` } },
  ],
  invalid: [
    {
      name: 'FOLL_PIN passed to a get_* entry', code: `
long if_pin(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_unlocked(uaddr, 1, pages, FOLL_WRITE | FOLL_PIN); /* expect: internal-foll-flag:error */
}
` },
    {
      name: 'FOLL_GET passed to a pin_* entry', code: `
int if_get(unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, 1, FOLL_GET, pages); /* expect: internal-foll-flag:error */
}
` },
    {
      name: 'FOLL_GET passed to a get_* entry with pages: redundant, a note', code: `
long if_get_redundant(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_unlocked(uaddr, 1, pages, FOLL_WRITE | FOLL_GET); /* expect: internal-foll-flag:note */
}
` },
  ],
};
