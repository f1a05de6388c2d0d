/**
 * A mistake on the command line or in the user's files that the user can fix
 * (unknown model or option, unreadable data, corrupt checkpoint). main prints
 * its message as one line to stderr and exits with `exitCode`, no stack trace.
 */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Runs `fn`, turning any error it throws into a UsageError prefixed with `context`. */
export function explain<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${context}: ${(e as Error).message ?? String(e)}`);
  }
}
