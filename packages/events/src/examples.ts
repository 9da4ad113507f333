import type { DataOf, EventType } from "./catalog.ts";

// One valid example of every current type, drawn from February 2020 in the Yangtze River Delta.
// Tests, documentation (JSON Schema, AsyncAPI) and the testkit's factories all start from these.

export type ExampleEvent<T extends EventType = EventType> = {
  readonly type: T;
  readonly origin: string;
  readonly subject: string;
  readonly time: string;
  readonly data: DataOf<T>;
};

const sha = (seed: string) => seed.repeat(64 / seed.length);

export const examples: { readonly [T in EventType]: ExampleEvent<T> } = {
  "case.reported": {
    type: "case.reported",
    origin: "hangzhou",
    subject: "HZ-2020-0211-017",
    time: "2020-02-11T09:30:00+08:00",
    data: {
      classification: "confirmed",
      district: "hangzhou-xiaoshan",
      onsetDate: "2020-02-06",
      diagnosedAt: "2020-02-11T08:45:00+08:00",
      exposure: [
        { city: "shaoxing", district: "shaoxing-zhuji", from: "2020-01-30", until: "2020-02-02" },
        { city: "hangzhou", from: "2020-02-02" },
      ],
      closeContacts: [
        { cityOfResidence: "hangzhou", count: 6 },
        { cityOfResidence: "shaoxing", count: 3 },
      ],
      hospital: "杭州市西溪医院",
    },
  },
  "case.reclassified": {
    type: "case.reclassified",
    origin: "hangzhou",
    subject: "HZ-2020-0211-017",
    time: "2020-02-12T16:00:00+08:00",
    data: {
      from: "suspected",
      to: "confirmed",
      at: "2020-02-12T15:40:00+08:00",
      reason: "second nucleic acid test positive",
    },
  },
  "case.closed": {
    type: "case.closed",
    origin: "hangzhou",
    subject: "HZ-2020-0211-017",
    time: "2020-02-28T10:00:00+08:00",
    data: { outcome: "discharged", at: "2020-02-28T09:30:00+08:00" },
  },
  "case.transferred": {
    type: "case.transferred",
    origin: "hangzhou",
    subject: "HZ-2020-0211-017",
    time: "2020-02-13T11:00:00+08:00",
    data: {
      newOwner: "shaoxing",
      reason: "patient moved to the designated hospital in Shaoxing",
      at: "2020-02-13T10:30:00+08:00",
    },
  },
  "trace.requested": {
    type: "trace.requested",
    origin: "hangzhou",
    subject: "XC-HZ-2020-0211-03",
    time: "2020-02-11T10:00:00+08:00",
    data: {
      targetCity: "shaoxing",
      caseId: "HZ-2020-0211-017",
      contacts: [
        {
          contactRef: "c_4be0f1a9d2c3e8b7",
          district: "shaoxing-zhuji",
          lastContactAt: "2020-02-01T19:00:00+08:00",
          phoneHash: sha("3fa9"),
        },
      ],
      dueBy: "2020-02-12T10:00:00+08:00",
    },
  },
  "trace.answered": {
    type: "trace.answered",
    origin: "shaoxing",
    subject: "XC-HZ-2020-0211-03",
    time: "2020-02-11T20:00:00+08:00",
    data: {
      targetCity: "hangzhou",
      answers: [{ contactRef: "c_4be0f1a9d2c3e8b7", outcome: "quarantined" }],
      answeredAt: "2020-02-11T19:45:00+08:00",
    },
  },
  "person.pushed": {
    type: "person.pushed",
    origin: "shanghai",
    subject: "p_9a1c7e3f5b2d8046",
    time: "2020-02-10T08:00:00+08:00",
    data: {
      targetCity: "suzhou",
      district: "suzhou-kunshan",
      community: "花桥镇",
      reason: "arrival-from-risk-area",
      fromCity: "shanghai",
      arrivalAt: "2020-02-09T21:10:00+08:00",
      observeUntil: "2020-02-23",
    },
  },
  "isolation.released": {
    type: "isolation.released",
    origin: "jiaxing",
    subject: "p_5d2e8f1a7c3b9e60",
    time: "2020-02-20T09:00:00+08:00",
    data: {
      releasedAt: "2020-02-20T08:00:00+08:00",
      isolationStart: "2020-02-06",
      placeKind: "home",
      issuingDistrict: "jiaxing-jiashan",
    },
  },
  "pass.issued": {
    type: "pass.issued",
    origin: "shanghai",
    subject: "SH-JD-COMMUTE-000123",
    time: "2020-02-24T08:00:00+08:00",
    data: {
      kind: "commuter",
      holderRef: "h_8c1f4a9e2d7b3c50",
      plateHash: sha("a1b2"),
      employer: "昆山某电子有限公司",
      validFrom: "2020-02-24T00:00:00+08:00",
      validUntil: "2020-03-24T00:00:00+08:00",
      validIn: ["shanghai", "suzhou"],
      conditions: ["temperature-check"],
    },
  },
  "pass.revoked": {
    type: "pass.revoked",
    origin: "shanghai",
    subject: "SH-JD-COMMUTE-000123",
    time: "2020-03-02T12:00:00+08:00",
    data: { reason: "holder's employer suspended work again", at: "2020-03-02T12:00:00+08:00" },
  },
  "policy.changed": {
    type: "policy.changed",
    origin: "shanghai",
    subject: "SH-POLICY-2020-WORK-RESUME",
    time: "2020-02-09T18:00:00+08:00",
    data: {
      domain: "work",
      action: "resume",
      scope: { city: "shanghai" },
      effectiveFrom: "2020-02-10T00:00:00+08:00",
      summary: "Enterprises may resume work from 10 February, with temperature checks and masks.",
      documentRef: "沪府规〔2020〕3号",
    },
  },
  "traffic.changed": {
    type: "traffic.changed",
    origin: "shanghai",
    subject: "SH-QP-CHECKPOINT-G50",
    time: "2020-02-12T12:00:00+08:00",
    data: {
      what: "checkpoint",
      action: "merge",
      mergeInto: "SZ-WJ-CHECKPOINT-G50",
      appliesTo: "all",
      location: {
        city: "shanghai",
        district: "shanghai-qingpu",
        description: "G50 沪渝高速 Qingpu–Wujiang boundary",
      },
      effectiveFrom: "2020-02-12T12:00:00+08:00",
    },
  },
  "risk.changed": {
    type: "risk.changed",
    origin: "hangzhou",
    subject: "hangzhou-xiaoshan",
    time: "2020-02-20T00:00:00+08:00",
    data: {
      level: "low-1",
      previousLevel: "medium-2",
      effectiveFrom: "2020-02-20T00:00:00+08:00",
      measures: ["enterprises resume work in an orderly way", "community entrances keep temperature checks"],
    },
  },
  "supply.requested": {
    type: "supply.requested",
    origin: "jiaxing",
    subject: "JX-SUP-2020-0205-01",
    time: "2020-02-05T09:00:00+08:00",
    data: {
      item: "masks-n95",
      quantity: 20000,
      unit: "pieces",
      neededBy: "2020-02-08T00:00:00+08:00",
      deliverTo: { city: "jiaxing", district: "jiaxing-pinghu" },
    },
  },
  "supply.offered": {
    type: "supply.offered",
    origin: "suzhou",
    subject: "SZ-OFFER-2020-0205-02",
    time: "2020-02-05T15:00:00+08:00",
    data: {
      item: "masks-n95",
      quantity: 10000,
      unit: "pieces",
      availableFrom: "2020-02-06T08:00:00+08:00",
      forRequest: "JX-SUP-2020-0205-01",
    },
  },
  "supply.dispatched": {
    type: "supply.dispatched",
    origin: "suzhou",
    subject: "SZ-DISPATCH-2020-0206-01",
    time: "2020-02-06T09:00:00+08:00",
    data: {
      item: "masks-n95",
      quantity: 10000,
      unit: "pieces",
      fromCity: "suzhou",
      toCity: "jiaxing",
      vehiclePass: "JS-GREEN-003344",
      expectedArrival: "2020-02-06T13:00:00+08:00",
      forRequest: "JX-SUP-2020-0205-01",
      offer: "SZ-OFFER-2020-0205-02",
    },
  },
  "notice.overdue": {
    type: "notice.overdue",
    origin: "metro",
    subject: "0193f3a0-1c2d-7e4f-8a9b-0c1d2e3f4a5b",
    time: "2020-02-11T09:45:00+08:00",
    data: {
      notice: {
        eventId: "0193f3a0-1c2d-7e4f-8a9b-0c1d2e3f4a5b",
        type: "case.reported",
        origin: "hangzhou",
        time: "2020-02-11T09:30:00+08:00",
      },
      unacknowledged: ["shaoxing"],
      deadline: "2020-02-11T09:40:00+08:00",
      lateBySeconds: 300,
    },
  },
  "trace.overdue": {
    type: "trace.overdue",
    origin: "metro",
    subject: "XC-HZ-2020-0211-03",
    time: "2020-02-12T10:05:00+08:00",
    data: {
      requestingCity: "hangzhou",
      targetCity: "shaoxing",
      dueBy: "2020-02-12T10:00:00+08:00",
      lateBySeconds: 300,
    },
  },
  "relay.behind": {
    type: "relay.behind",
    origin: "metro",
    subject: "shaoxing_k6h7k6o0",
    time: "2020-02-11T09:45:00+08:00",
    data: {
      city: "shaoxing",
      waiting: 1840,
      oldestWaitingSince: "2020-02-11T09:30:00+08:00",
      secondsBehind: 900,
    },
  },
};
