import { z } from 'zod';

/**
 * The Block Kit subset Marshal posts, with Slack's documented limits, written independently of the
 * renderers' own types and guard so that a test can catch either being wrong.
 */
const PlainText = (max: number) =>
  z.strictObject({
    type: z.literal('plain_text'),
    text: z.string().min(1).max(max),
    emoji: z.boolean().optional(),
  });
const Mrkdwn = (max: number) =>
  z.strictObject({ type: z.literal('mrkdwn'), text: z.string().min(1).max(max) });
const Text = (max: number) => z.union([PlainText(max), Mrkdwn(max)]);

const Confirm = z.strictObject({
  title: PlainText(100),
  text: Text(300),
  confirm: PlainText(30),
  deny: PlainText(30),
  style: z.enum(['primary', 'danger']).optional(),
});

const Button = z.strictObject({
  type: z.literal('button'),
  text: PlainText(75),
  action_id: z.string().min(1).max(255),
  value: z.string().max(2000),
  style: z.enum(['primary', 'danger']).optional(),
  confirm: Confirm.optional(),
});

const Block = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('header'), text: PlainText(150) }),
  z
    .strictObject({
      type: z.literal('section'),
      block_id: z.string().max(255).optional(),
      text: Text(3000).optional(),
      fields: z.array(Text(2000)).min(1).max(10).optional(),
    })
    .refine((s) => s.text !== undefined || s.fields !== undefined, 'a section needs text or fields'),
  z.strictObject({ type: z.literal('context'), elements: z.array(Text(3000)).min(1).max(10) }),
  z.strictObject({ type: z.literal('divider') }),
  z.strictObject({
    type: z.literal('actions'),
    block_id: z.string().max(255).optional(),
    elements: z.array(Button).min(1).max(25),
  }),
]);

export const SlackMessageSchema = z.strictObject({
  text: z.string().min(1).max(4000),
  blocks: z.array(Block).min(1).max(50),
});

/** Parses and, on failure, says which block broke which rule. */
export function assertValidMessage(message: unknown): void {
  const result = SlackMessageSchema.safeParse(message);
  if (!result.success) {
    throw new Error(
      `invalid Slack message: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
}

/** Every mrkdwn code fence is closed, so a truncated excerpt cannot swallow the rest of a message. */
export function fencesBalanced(message: { blocks: unknown[] }): boolean {
  return (JSON.stringify(message.blocks).match(/```/g)?.length ?? 0) % 2 === 0;
}
