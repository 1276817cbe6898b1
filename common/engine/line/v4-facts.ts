import type { JsonObject } from '../json/ast.ts';
import type { LineFacts } from '../line-facts.ts';
import type { Sample } from '../shape.ts';
import type { LineReporter } from '../rules/line-reporter.ts';
import { checkV4Pair } from '../rules/v4-fields.ts';
import { conversationContext } from './conversation-context.ts';
import { renderPair } from './render-pair.ts';

/** Checks a v4 pair line and gathers its facts; `shapeDetected` comes from the caller. */
export function v4PairFacts(
  text: string,
  root: JsonObject,
  r: LineReporter,
  shapeDetected: boolean,
): LineFacts {
  const fields = checkV4Pair(r, root);
  const valid = !r.hasError;
  const { systemPrompt, history, currentUserInput, targetResponse } = fields;
  const samples: Sample[] = [];
  if (
    valid &&
    systemPrompt !== undefined &&
    history?.messages !== undefined &&
    currentUserInput !== undefined &&
    targetResponse !== undefined
  ) {
    samples.push(
      renderPair({
        system_prompt: systemPrompt.value,
        conversation_history: history.messages,
        current_user_input: currentUserInput.value,
        target_response: targetResponse.value,
      }),
    );
  }
  return {
    kind: 'data',
    shape: 'brightrun_lora_v4',
    shapeDetected,
    diagnostics: r.diagnostics,
    valid,
    // A pair line is one training pair even when it is broken, so a header's total_pairs can be
    // checked against the lines a person wrote; statistics count valid lines only.
    pairs: 1,
    samples,
    conversations: 1,
    // JsonString and JsonNumber nodes already have the value/start/end of a located value.
    id: fields.id,
    conversationId: fields.conversationId,
    turnNumber: fields.turnNumber,
    conversationContext:
      systemPrompt === undefined
        ? undefined
        : conversationContext(
            text,
            systemPrompt,
            fields.conversationMetadata,
            fields.conversationMetadataSlots,
          ),
    targetRange:
      targetResponse === undefined
        ? undefined
        : { start: targetResponse.start, end: targetResponse.end },
    start: root.start,
    end: root.end,
  };
}
