// The marketplace sellers behind the offers, answered by `/seller`. Ids look like Amazon's
// (A + 13 upper-case letters and digits); ratings spread from poor to excellent so the
// daemon's seller-quality score has something to rank.

import type { KeepaSeller } from '../keepa/types.js';
import { AMAZON_SELLER_ID } from './assumptions.js';
import { hashSeed, Random } from './random.js';
import { SELLER_SUFFIXES, SELLER_WORDS } from './words.js';

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Amazon's own offers carry its seller id, so `/seller` knows it too (rating unknown: -1). */
const AMAZON: KeepaSeller = { sellerId: AMAZON_SELLER_ID, sellerName: 'Amazon.com', currentRating: -1, currentRatingCount: 0, ratingCount: 0 };

export class SellerPool {
  private readonly sellers: KeepaSeller[];
  private readonly byId = new Map<string, KeepaSeller>();

  constructor(
    seed: number,
    readonly size = 400,
  ) {
    const rng = new Random(hashSeed(seed, 'sellers'));
    this.sellers = [];
    this.byId.set(AMAZON.sellerId, AMAZON);
    for (let i = 0; i < size; i++) {
      let id = 'A';
      do {
        id = 'A';
        for (let k = 0; k < 13; k++) id += ID_CHARS[rng.int(0, ID_CHARS.length - 1)];
      } while (this.byId.has(id));
      const ratingCount = Math.floor(Math.exp(rng.range(Math.log(3), Math.log(60_000))));
      const seller: KeepaSeller = {
        sellerId: id,
        sellerName: `${rng.pick(SELLER_WORDS)} ${rng.pick(SELLER_SUFFIXES)} ${i + 1}`,
        currentRating: rng.chance(0.85) ? rng.int(88, 100) : rng.int(55, 87),
        currentRatingCount: ratingCount,
        ratingCount,
      };
      this.sellers.push(seller);
      this.byId.set(id, seller);
    }
  }

  idAt(index: number): string {
    const seller = this.sellers[index % this.size];
    if (!seller) throw new RangeError(`No seller at index ${index}`);
    return seller.sellerId;
  }

  get(id: string): KeepaSeller | undefined {
    return this.byId.get(id);
  }
}
