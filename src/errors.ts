// The tool's error classes, in one place.
//
// UsageError: bad input (usage, an unreadable or invalid file, a patch that does not apply,
// an output that cannot be written): main() and `gup-audit check` print its message on one
// line and exit 2. Subclasses (PatchError, ExplainError) only name where it came from.
// Anything else that escapes is an internal error.
export class UsageError extends Error {}

/** A file's extraction ran past its time limit (raised in the worker, reported as a
 * notification about that file; the audit of the others goes on). */
export class TimeLimitError extends Error {}
