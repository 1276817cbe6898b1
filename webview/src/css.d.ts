// Panel entries import their stylesheets; esbuild writes them beside the bundle.
declare module '*.css';
