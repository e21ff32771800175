import { describe, expect, it } from 'vitest';
import { PageTimings } from './page-timing.ts';

describe('the page timing of interactions', () => {
  it('follows one deposit from the click to its balance in the DOM', () => {
    const t = new PageTimings();
    const e = t.begin('deposit', 'NL01', 100);
    t.pushed('NL01', 7, 90); // not yet sent: someone else's transaction
    t.sent(e, 103);
    t.sent(e, 150); // a second send (a retry) keeps the first time
    t.pushed('NL02', 8, 110); // another account's list
    t.pushed('NL01', 9, 120);
    t.answered(e, 125);
    t.rendered('NL01', 8, 126);
    expect(e.renderedAt).toBeNull();
    t.rendered('NL01', 9, 130);
    t.rendered('NL01', 10, 140);
    expect(e).toMatchObject({
      clickAt: 100,
      requestSentAt: 103,
      pushAt: 120,
      transactionId: 9,
      answerAt: 125,
      renderedAt: 130,
    });
  });

  it('gives pushes to the oldest waiting interaction of the account', () => {
    const t = new PageTimings();
    const a = t.begin('transfer', 'NL01', 0);
    const b = t.begin('transfer', 'NL01', 5);
    t.sent(a, 1);
    t.sent(b, 6);
    t.pushed('NL01', 20, 30);
    t.pushed('NL01', 21, 31);
    expect([a.transactionId, b.transactionId]).toEqual([20, 21]);
  });

  it('keeps only the newest entries', () => {
    const t = new PageTimings(3);
    for (let i = 0; i < 5; i++) t.begin('deposit', 'NL01', i);
    expect(t.entries.map((e) => e.clickAt)).toEqual([2, 3, 4]);
  });
});
