// Types for scripts/check-node.mjs, imported by the TypeScript tests.
export declare function satisfies(version: number[], range: string): boolean;
export declare function devRanges(): { name: string; range: string }[];
export declare const NVMRC: string;
