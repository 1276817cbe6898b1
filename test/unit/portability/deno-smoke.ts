// Run by engine-portability.test.ts under Deno: prints the codes the engine reports for argv[0].
// Deno's global, declared here so the Node type-check of the repository accepts this file.
declare const Deno: { args: string[] };

import { analyzeLine } from '../../../common/engine/line/analyze-line.ts';

const facts = analyzeLine(Deno.args[0], 0, { expectedShape: undefined });
console.log(JSON.stringify(facts.diagnostics.map((d) => d.code)));
