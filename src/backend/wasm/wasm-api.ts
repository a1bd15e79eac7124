/**
 * The slice of the WebAssembly JavaScript API this backend uses, typed locally: the project
 * compiles against lib ES2022 without DOM, whose WebAssembly typings live in lib.dom only.
 */

/** A WebAssembly.Memory (shared here, so `buffer` is a SharedArrayBuffer). */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}

/** A compiled WebAssembly.Module (opaque; also transferable to worker threads). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A WebAssembly.Global. */
export interface WasmGlobal {
  readonly value: unknown;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

/** The runtime's WebAssembly namespace (undefined where there is none). */
export const WA: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
