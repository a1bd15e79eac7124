/** Placeholder: filled in by the pool op family. */
export {};
