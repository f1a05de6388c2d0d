export interface WinogradCost { inNs: number; outNs: number; macNs: number; filterNs: number }
export const WINOGRAD_COST: Record<'forward' | 'filter', Record<2 | 4, WinogradCost>> = {
  forward: { 2: { inNs: 1, outNs: 1, macNs: 0.02, filterNs: 1 }, 4: { inNs: 3, outNs: 3, macNs: 0.02, filterNs: 3 } },
  filter: { 2: { inNs: 1, outNs: 1, macNs: 0.02, filterNs: 1 }, 4: { inNs: 3, outNs: 3, macNs: 0.02, filterNs: 3 } },
};
