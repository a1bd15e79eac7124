/** Placeholder: filled in by the loss op family. */
export {};
