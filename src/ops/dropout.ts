/** Placeholder: filled in by the dropout op family. */
export {};
