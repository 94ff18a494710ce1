// The one error type of the stack scripts: its message is a complete sentence for a person, printed
// without a stack trace by the CLI.
export class StackError extends Error {
  override name = 'StackError';
}
