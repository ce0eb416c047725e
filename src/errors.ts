// The one error class of bad input (usage, an unreadable or invalid file, a patch that does
// not apply, an output that cannot be written): main() prints its message on one line and
// exits 2. Anything else that escapes is an internal error.
export class UsageError extends Error {}
