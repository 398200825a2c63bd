import { describe, expect, it } from 'vitest';
import { analyzeProduct, winningOfferSellerId } from '../../../src/pipeline/analytics/index.js';
import { sellerQualityScore } from '../../../src/pipeline/analytics/offers.js';
import { NOW_MS, offer, product, SETTINGS } from './builders.js';

function priceNow(offers: ReturnType<typeof offer>[], liveOffersOrder?: number[]) {
  const p = product({ offers, liveOffersOrder: liveOffersOrder ?? offers.map((_, i) => i) });
  return analyzeProduct({ product: p, settings: SETTINGS, nowMs: NOW_MS });
}

describe('Price Now', () => {
  it('skips a merchant offer with unknown shipping and takes the cheapest used total', () => {
    // Merchant $8 + unknown: ignored. Merchant $9 + $4 = $13. FBA $12 + $0 = $12 wins.
    // New $5 (condition 1) is not a used offer.
    const { row } = priceNow([
      offer({ sellerId: 'M1', price: 800, shipping: -1 }),
      offer({ sellerId: 'M2', price: 900, shipping: 400 }),
      offer({ sellerId: 'F1', price: 1200, shipping: 0, isFBA: true, condition: 2 }),
      offer({ sellerId: 'N1', price: 500, condition: 1 }),
    ]);
    expect([row['Price_Now'], row['Seller_ID'], row['Condition'], row['Shipping_Included']]).toEqual([12, 'F1', 'Used - Like New', 'yes']);
  });

  it('counts an FBA offer with unknown shipping as free shipping, marked as not included', () => {
    // FBA $11 + unknown = $11 beats merchant $9 + $3 = $12.
    const { row } = priceNow([offer({ sellerId: 'M2', price: 900, shipping: 300 }), offer({ sellerId: 'F1', price: 1100, shipping: -1, isFBA: true })]);
    expect([row['Price_Now'], row['Seller_ID'], row['Shipping_Included']]).toEqual([11, 'F1', 'no']);
  });

  it('looks only at live offers', () => {
    // The $5 offer (index 0) is not in liveOffersOrder.
    const offers = [offer({ sellerId: 'GONE', price: 500 }), offer({ sellerId: 'LIVE', price: 1500 })];
    expect(priceNow(offers, [1]).row['Price_Now']).toBe(15);
    expect(winningOfferSellerId(product({ offers, liveOffersOrder: [1] }))).toBe('LIVE');
  });

  it('rejects a product with no used offer, or empty offers, as no_used_offer', () => {
    const onlyNew = priceNow([offer({ price: 500, condition: 1 })]);
    expect([onlyNew.rejected, onlyNew.row['Price_Now'], onlyNew.row['Profit']]).toEqual(['no_used_offer', null, null]);
    expect(priceNow([]).rejected).toBe('no_used_offer');
    expect(winningOfferSellerId(product({ offers: [] }))).toBeNull();
  });
});

describe('Seller quality', () => {
  it('is the Wilson lower bound of the positive share', () => {
    // p = 1, n = 100: n / (n + z^2) = 100 / 103.8415 = 0.9630.
    expect(sellerQualityScore({ sellerId: 'S', currentRating: 100, currentRatingCount: 100 })).toBeCloseTo(0.963, 4);
    // p = 0.9, n = 10: (0.9 + 0.19207 - 1.96 x sqrt(0.009 + 0.0096)) / 1.38415 = 0.5958.
    expect(sellerQualityScore({ sellerId: 'S', currentRating: 90, currentRatingCount: 10 })).toBeCloseTo(0.5958, 3);
    expect(sellerQualityScore({ sellerId: 'S', currentRating: -1, currentRatingCount: 10 })).toBeNull();
  });

  it('is stored with the name of the winning seller only', () => {
    const p = product({ offers: [offer({ sellerId: 'S1', price: 1000 })] });
    const winner = analyzeProduct({ product: p, seller: { sellerId: 'S1', sellerName: 'Good Books', currentRating: 100, currentRatingCount: 100 }, settings: SETTINGS, nowMs: NOW_MS });
    expect([winner.row['Seller'], winner.row['Seller_Quality_Score']]).toEqual(['Good Books', 0.963]);
    const other = analyzeProduct({ product: p, seller: { sellerId: 'S9', sellerName: 'Someone Else', currentRating: 100, currentRatingCount: 100 }, settings: SETTINGS, nowMs: NOW_MS });
    expect([other.row['Seller'], other.row['Seller_Quality_Score']]).toEqual([null, null]);
  });
});
