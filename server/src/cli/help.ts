/** Help texts, kept together so they read as one manual. */

export const TOP_HELP = `brightrun — validate and convert brightrun_lora_v4 datasets

Usage:
  brightrun validate [options] FILE...   check datasets against the format's rules
  brightrun stats [options] FILE         print dataset statistics
  brightrun convert --to SHAPE IN OUT    convert between line shapes
  brightrun local up|down|status         run the backend on this machine (local stack)
  brightrun local user add EMAIL         add a local user and print its token
  brightrun lsp --stdio                  start the language server (editors)
  brightrun <command> --help             options of one command
  brightrun --version

Exit codes: 0 no errors, 1 errors found or not training-ready, 2 usage or I/O failure.
The format and every rule code: docs/dataset-format.md
`;

export const VALIDATE_HELP = `Usage: brightrun validate [options] FILE...

Checks each FILE (JSON Lines: brightrun_lora_v4, chat_messages, conversations or turns) and
prints every diagnostic, then one summary line per file. Files are streamed: size is not limited
by memory.

Options:
  --format text|json        text (default): "path:line:col: severity CODE message" lines and a
                            summary; json: one object per file per line on stdout
  --no-tokens               skip tokenisation: no token statistics and no BRL040 (fastest)
  --max-seq-length N        token limit per sample for BRL040 (default 2048)
  --base-model ID           tokenizer to count with (default mistralai/Mistral-7B-v0.1)
  --max-diagnostics N       diagnostics listed per file (default 1000; 0 lists none); the
                            summary always counts all of them
  --severity CODE=LEVEL     change a rule's severity; LEVEL is error, warning, info, hint or off
                            (repeatable, e.g. --severity BRL027=off --severity BRL041=info)
  -h, --help                this help

Exit codes:
  0  no errors and every file is training-ready
  1  errors found, or a file is not training-ready (e.g. it has no training pairs: an empty
     dataset never passes a CI gate)
  2  usage error, or a file could not be read (missing, a directory, no permission)
`;

export const STATS_HELP = `Usage: brightrun stats [options] FILE

Prints the dataset statistics (pairs, samples, conversations, tokens and their distribution).

Options:
  --format text|json        text (default): aligned "name: value" lines; json: the stats object
  --no-tokens               skip tokenisation (token figures are then not counted)
  --max-seq-length N        token limit used for the over-length count (default 2048)
  --base-model ID           tokenizer to count with (default mistralai/Mistral-7B-v0.1)
  -h, --help                this help

Exit codes: 0 statistics printed (errors in the file do not change the exit code: invalid
lines are simply not counted), 2 usage or I/O failure.
`;

export const CONVERT_HELP = `Usage: brightrun convert --to brightrun_lora_v4|chat_messages IN OUT

Converts every line of IN to the target shape and writes OUT. OUT is written to a temporary
file first and renamed when complete, so a failed conversion never leaves a partial OUT
(an existing OUT is replaced only on success).

Options:
  --to SHAPE                brightrun_lora_v4 or chat_messages
  -h, --help                this help

Exit codes: 0 converted, 1 IN has a line that cannot be converted (the message names it),
2 usage or I/O failure.
`;
