// Types for the plain-Node installer, so TypeScript tests can import it.
export declare const codeServerVersion: string;
export declare const toolsDir: string;
export declare const codeServerBin: string;
/** Installs the pinned code-server when missing; returns the path of its entry script. */
export declare function ensureCodeServer(): string;
