// deal_evidence: saved after its deal, replaced by the next analysis, its offers replaced by a
// light refresh without touching the rest, and gone with its deal.
import { describe, expect, it } from 'vitest';
import { evidenceFor } from '../../bench/deskData.js';
import { encodeEvidence, parseEvidence } from '../../src/pipeline/evidence.js';
import { memoryStore, smallColumns, T0 } from '../helpers.js';

describe('evidence store', () => {
  it("keeps the analysis, takes a refresh's offers, and goes with the deal", () => {
    const store = memoryStore(smallColumns(), T0);
    store.deals.upsert({ ASIN: 'B0EVIDENCE', Profit: 5 }, T0, 'full');
    const ev = evidenceFor(3, 40, T0);
    store.evidence.save('B0EVIDENCE', 4, encodeEvidence(ev), T0);
    const back = parseEvidence(store.evidence.find('B0EVIDENCE')?.json ?? '');
    expect(back?.sales.map((s) => s.priceCents)).toEqual(ev.sales.map((s) => s.priceCents));
    expect(back?.sales.map((s) => s.month)).toEqual(ev.sales.map((s) => s.month));
    expect(back?.usedPrice).toHaveLength(ev.usedPrice.length);

    const offers = [{ sellerId: 'NEWSELLER', condition: 'Used - Good', priceCents: 999, shippingCents: 0, fba: true }];
    store.evidence.updateOffers('B0EVIDENCE', JSON.stringify(offers), T0 + 5000);
    const refreshed = parseEvidence(store.evidence.find('B0EVIDENCE')?.json ?? '');
    expect(refreshed?.offers).toEqual(offers);
    expect(refreshed?.offersAtMs).toBe(T0 + 5000);
    expect(refreshed?.sales).toEqual(back?.sales);
    expect(store.evidence.find('B0EVIDENCE')?.salesYear).toBe(4);

    store.deals.deleteSeenBefore(T0 + 1);
    expect(store.evidence.find('B0EVIDENCE')).toBeNull();
  });

  it('is refused without its deal', () => {
    const store = memoryStore(smallColumns(), T0);
    expect(() => store.evidence.save('B0NODEAL00', 0, '{}', T0)).toThrow(/FOREIGN KEY/);
  });
});
