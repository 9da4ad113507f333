/** A moment given by a caller: a Date or an ISO 8601 string. */
export type Moment = Date | string;

/** Milliseconds since the epoch; a clear error naming the option when the moment is not a date. */
export const millisOf = (moment: Moment, option: string): number => {
  const ms = moment instanceof Date ? moment.getTime() : Date.parse(moment);
  if (Number.isNaN(ms)) throw new TypeError(`${option} must be a date-time, e.g. 2020-02-20T00:00:00+08:00`);
  return ms;
};

/** The local calendar day of an ISO 8601 date-time, in the offset its publisher wrote. */
export const dayOf = (dateTime: string): string => dateTime.slice(0, 10);
