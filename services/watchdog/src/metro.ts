import type { Metro } from "@tongbao/metro";

/** What the watchdog needs of a metro definition: its cities and its acknowledgement deadline. */
export type WatchedMetro = Pick<Metro, "acknowledgeWithinSeconds"> & {
  readonly cities: readonly { readonly id: string }[];
};
