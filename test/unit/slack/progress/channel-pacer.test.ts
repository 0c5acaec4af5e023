import { describe, expect, it } from 'vitest';
import { ChannelPacer } from '../../../../src/slack/progress/channel-pacer.js';

describe('ChannelPacer: posts per channel, paced, urgent first', () => {
  it('an urgent post takes a reserved slot at once while normal posts wait for theirs', async () => {
    // Two slots, one of them kept for urgent posts; refills fast so the test is quick.
    const pacer = new ChannelPacer(2, 50, 1);
    const order: string[] = [];
    await pacer.take('C1', 'normal').then(() => order.push('n1'));
    const n2 = pacer.take('C1', 'normal').then(() => order.push('n2'));
    const n3 = pacer.take('C1', 'normal').then(() => order.push('n3'));
    await pacer.take('C1', 'urgent').then(() => order.push('u1'));
    // n1 took the free slot; the other one is the urgent reserve, which u1 got before n2 and n3.
    expect(order).toEqual(['n1', 'u1']);
    const u2 = pacer.take('C1', 'urgent').then(() => order.push('u2'));
    await Promise.all([n2, n3, u2]);
    // u2 came after n2 and n3 asked, and still went first.
    expect(order).toEqual(['n1', 'u1', 'u2', 'n2', 'n3']);
    pacer.close();
  });

  it('channels are paced apart', async () => {
    const pacer = new ChannelPacer(1, 50, 0);
    const order: string[] = [];
    await pacer.take('C1', 'normal');
    const c1 = pacer.take('C1', 'normal').then(() => order.push('C1'));
    await pacer.take('C2', 'normal').then(() => order.push('C2'));
    await c1;
    expect(order).toEqual(['C2', 'C1']);
    pacer.close();
  });
});
