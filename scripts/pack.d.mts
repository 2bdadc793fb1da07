// Types for scripts/pack.mjs, imported by the TypeScript tests.
export declare const ROOT: string;
export interface Packed {
  tarball: string;
  files: string[];
  size: number;
  unpackedSize: number;
}
export declare function packTarball(dest: string, opts?: { build?: boolean }): Packed;
export declare function installTarball(tarball: string, dir?: string): string;
