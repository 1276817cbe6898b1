import type { JsonObject } from '../json/ast.ts';
import type { LineShape } from '../shape.ts';

/**
 * The shape a data line declares by its keys (dataset-format.md §1), or undefined when it has
 * none of the markers. v4 markers win over the others because a v4 pair also carries
 * `conversation_id`. A `turns` array alone marks the legacy shape too: its missing
 * `conversation_id` is then reported as a missing field instead of turning the line into a
 * v4 pair that lacks seven fields.
 */
export function detectShape(root: JsonObject): LineShape | undefined {
  let messages = false;
  let conversations = false;
  let turns = false;
  for (const property of root.properties) {
    switch (property.key) {
      case 'target_response':
      case 'current_user_input':
        return 'brightrun_lora_v4';
      case 'messages':
        messages = true;
        break;
      case 'conversations':
        conversations = true;
        break;
      case 'turns':
        turns = true;
        break;
    }
  }
  if (messages) return 'chat_messages';
  if (conversations) return 'conversations';
  if (turns) return 'turns';
  return undefined;
}
