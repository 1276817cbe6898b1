// Types for the untyped tokenizer package we read vocabulary and merge data from.
// `llama3-tokenizer-js` ships its own `types.d.ts`.
declare module 'mistral-tokenizer-js' {
  interface MistralTokenizer {
    /** Token strings by id (32,000 entries); spaces appear as '▁', bytes as '<0xNN>'. */
    vocabById: string[];
    vocabByString: Map<string, number>;
    /** 'left right' (token strings joined by one space) → merge priority (lower merges first). */
    merges: Map<string, number>;
    encode(
      prompt: string,
      addBosToken?: boolean,
      addPrecedingSpace?: boolean,
      logPerformance?: boolean,
    ): number[];
    decode(tokenIds: number[], addBosToken?: boolean, addPrecedingSpace?: boolean): string;
  }
  const mistralTokenizer: MistralTokenizer;
  export default mistralTokenizer;
}
