import type { Bus } from "@tongbao/bus";
import { isCityId, isToken, type RiskLevel } from "@tongbao/events";
import type { Metro } from "@tongbao/metro";
import { type Measure, type MeasureState, measureAt, measuresModel } from "../measures/measures.ts";
import type { Stored } from "../model.ts";
import { type Moment, millisOf } from "../moment.ts";
import { findNotice } from "../notices/find-notice.ts";
import { type NoticeEntry, noticesModel } from "../notices/notices.ts";
import { checkPassAt, type PassCheck, type PassState, passesModel } from "../passes/passes.ts";
import { type DistrictRisk, riskAt, riskModel } from "../risk/risk.ts";
import { isOpen, type OpenTraceRequest, type TraceRequest, tracesModel } from "../traces/traces.ts";
import { foldLog } from "./fold-log.ts";
import { storedValues } from "./stored-values.ts";

export type RiskMapBasis = "effective" | "recorded";

export interface RiskMapDistrict {
  readonly districtId: string;
  readonly city: string;
  readonly level: RiskLevel;
  readonly previousLevel?: RiskLevel;
  readonly effectiveFrom: string;
  readonly measures: string[];
}

export interface RiskMap {
  readonly asOf: string;
  readonly by: RiskMapBasis;
  readonly districts: RiskMapDistrict[];
}

/** What the gateway and the console ask of the read models. */
export interface ReadModels {
  /** What a checkpoint in `city` should do with a pass at `at` (default now). */
  checkPass(passId: string, options?: { at?: Moment; city?: string }): Promise<PassCheck>;
  /**
   * The risk level of every district now, or as of a past moment: `by: "effective"` (default) what
   * was in force then as known now; `by: "recorded"` what had been stored by then.
   */
  riskMap(options?: { asOf?: Moment; by?: RiskMapBasis }): Promise<RiskMap>;
  /** Where a stored event is, by its id (and origin, when known); null when there is none. */
  notice(id: string, origin?: string): Promise<NoticeEntry | null>;
  /** Traffic controls and policies in force now, or at `asOf`. */
  measuresInEffect(options?: { asOf?: Moment }): Promise<Measure[]>;
  /** Trace requests not yet answered for every contact: counts only, never the contacts. */
  openTraceRequests(): Promise<OpenTraceRequest[]>;
}

const checkToken = (value: string, what: string) => {
  if (!isToken(value)) throw new TypeError(`${what} must be 1-128 characters of A-Z, a-z, 0-9, '_' or '-'`);
};
const checkCity = (value: string, what: string) => {
  if (!isCityId(value)) throw new TypeError(`${what} must be a city id, e.g. hangzhou`);
};

/** The city of a district: from the metro's list, else by its `<city>-` prefix, else its publisher. */
const cityResolver = (metro: Metro | undefined) => {
  const byDistrict = new Map(metro?.cities.flatMap((c) => c.districts.map((d) => [d.id, c.id] as const)));
  const cities = (metro?.cities ?? []).map((c) => c.id).sort((a, b) => b.length - a.length);
  return (district: DistrictRisk) =>
    byDistrict.get(district.districtId) ??
    cities.find((city) => district.districtId.startsWith(`${city}-`)) ??
    district.origin;
};

const byKey =
  <T>(key: (value: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

export const openReadModels = async (bus: Bus, metro?: Metro): Promise<ReadModels> => {
  const [passes, risk, notices, measures, traces] = await Promise.all([
    bus.openStore<Stored<PassState>>(passesModel.bucket),
    bus.openStore<Stored<DistrictRisk>>(riskModel.bucket),
    bus.openStore<Stored<NoticeEntry>>(noticesModel.bucket),
    bus.openStore<Stored<MeasureState>>(measuresModel.bucket),
    bus.openStore<Stored<TraceRequest>>(tracesModel.bucket),
  ]);
  const cityOf = cityResolver(metro);

  const riskDistricts = async (asOfMs: number | undefined, by: RiskMapBasis) => {
    if (asOfMs === undefined) return storedValues(risk);
    const asOf = new Date(asOfMs);
    const states = await foldLog(
      bus,
      riskModel,
      by === "recorded" ? { recordedUntil: asOf } : {},
      (event) => Date.parse(event.data.effectiveFrom) <= asOfMs,
    );
    return [...states.values()];
  };

  return {
    checkPass: async (passId, options = {}) => {
      checkToken(passId, "passId");
      if (options.city !== undefined) checkCity(options.city, "city");
      const atMs = options.at === undefined ? Date.now() : millisOf(options.at, "at");
      const stored = await passes.get(passId);
      return checkPassAt(passId, stored?.value.state, atMs, options.city);
    },

    riskMap: async (options = {}) => {
      const by = options.by ?? "effective";
      if (by !== "effective" && by !== "recorded")
        throw new TypeError('by must be "effective" or "recorded"');
      const asOfMs = options.asOf === undefined ? undefined : millisOf(options.asOf, "asOf");
      const atMs = asOfMs ?? Date.now();
      const districts = (await riskDistricts(asOfMs, by)).flatMap((district) => {
        const inForce = riskAt(district, atMs);
        if (inForce === undefined) return [];
        return [
          {
            districtId: district.districtId,
            city: cityOf(district),
            level: inForce.level,
            ...(inForce.previousLevel === undefined ? {} : { previousLevel: inForce.previousLevel }),
            effectiveFrom: inForce.effectiveFrom,
            measures: [...inForce.measures],
          },
        ];
      });
      return {
        asOf: new Date(atMs).toISOString(),
        by,
        districts: districts.sort(byKey((d) => d.districtId)),
      };
    },

    notice: async (id, origin) => {
      checkToken(id, "id");
      if (origin !== undefined) checkCity(origin, "origin");
      return findNotice(bus, notices, id, origin);
    },

    measuresInEffect: async (options = {}) => {
      const atMs = options.asOf === undefined ? Date.now() : millisOf(options.asOf, "asOf");
      const states =
        options.asOf === undefined
          ? await storedValues(measures)
          : (await foldLog(bus, measuresModel, {}, (e) => Date.parse(e.data.effectiveFrom) <= atMs)).values();
      return [...states]
        .flatMap((state) => measureAt(state, atMs) ?? [])
        .sort(byKey((m) => `${m.kind}.${m.origin}.${m.measureId}`));
    },

    openTraceRequests: async () =>
      (await storedValues(traces))
        .filter(isOpen)
        .sort((a, b) => Date.parse(a.dueBy) - Date.parse(b.dueBy) || a.requestId.localeCompare(b.requestId)),
  };
};
