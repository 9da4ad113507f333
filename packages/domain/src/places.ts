import { type DecisionContext, type Refusal, RefusalKind } from "./decider.ts";

// Every city and district an event names must exist in the metro definition. Without the definition
// (a reader that was not given it) a district id still says its city: the metro definition requires
// every district id to start with its city's (`suzhou-gusu`).

/** The city a district belongs to, or undefined for a district the metro does not have. */
export const cityOfDistrict = (
  district: string,
  claimedCity: string,
  context: DecisionContext,
): string | undefined =>
  context.metro !== undefined
    ? context.metro.cityOfDistrict(district)
    : district.startsWith(`${claimedCity}-`)
      ? claimedCity
      : undefined;

/**
 * Why a district may not be named as one of `city`'s: the metro has no such district, or it is
 * another city's (`kind` says how that counts: someone else's, or a rule broken).
 */
export const districtRefusal = (
  district: string,
  city: string,
  context: DecisionContext,
  kind: RefusalKind,
): Refusal | undefined => {
  const owner = cityOfDistrict(district, city, context);
  if (owner === city) return undefined;
  if (owner === undefined && context.metro !== undefined)
    return { kind: RefusalKind.unknown, reason: `district ${district} is not a district of the metro` };
  return {
    kind,
    reason: `district ${district} is ${owner === undefined ? "not" : `${owner}'s, not`} ${city}'s`,
  };
};

/** Why naming these cities is refused: some are not cities of the metro. */
export const citiesRefusal = (
  cities: readonly (string | undefined)[],
  context: DecisionContext,
): Refusal | undefined => {
  const unknown = [...new Set(cities)].filter(
    (city): city is string => city !== undefined && context.metro?.hasCity(city) === false,
  );
  return unknown.length === 0
    ? undefined
    : { kind: RefusalKind.unknown, reason: `${unknown.join(", ")}: no such city in the metro` };
};
