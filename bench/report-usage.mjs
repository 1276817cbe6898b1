// Preloaded into the real `brightrun` bin (NODE_OPTIONS=--import) by bench/run.mjs: when the
// process exits it writes its peak RSS and CPU time to file descriptor 3, a pipe the benchmark
// opened. The bin itself runs unchanged, with the flags of its own shebang.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  try {
    writeSync(
      3,
      JSON.stringify({
        maxRssKb: usage.maxRSS,
        cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
      }) + '\n',
    );
  } catch {
    // Not started by the benchmark (no fd 3): nothing to report.
  }
});
