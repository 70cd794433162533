// Public surface of @flowzone/cli: the command line as a function, for tests and embedding.
export { run } from "./run";
export { ExitCode } from "./io";
export type { CliIo, TextSink } from "./io";
export { helpText } from "./help-texts";
