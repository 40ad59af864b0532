import { describe, expect, it } from "vitest";
import { runChecks, type DraftForChecks } from "../src/harvest/coaching.js";

const ORG_EN = "Siem Reap Massage Workers Union";
const ORG_KM = "សហជីពកម្មករម៉ាស្សាសៀមរាប";
const ids = (d: DraftForChecks, org: string) => runChecks(d, { organisationName: org }).map((f) => f.id);

const goodEn: DraftForChecks = {
  description:
    "In March 2024 the provincial labour department in Siem Reap began registering informal massage workers for the national health fund, accepting lists submitted through the union.",
  significance: "Before, these workers had no route into the scheme. Now about 300 women can get free treatment at state hospitals when they are sick.",
  contribution: "From January to March 2024 the union collected member data, met the department twice, and submitted a petition with 412 thumbprints.",
  actorName: "Provincial Department of Labour",
  dateStart: "2024-03",
  place: "Siem Reap",
  peopleAffected: 300,
};

const goodKm: DraftForChecks = {
  description: "នៅខែមីនា ឆ្នាំ២០២៤ មន្ទីរការងារខេត្តសៀមរាបបានចាប់ផ្តើមចុះឈ្មោះកម្មករម៉ាស្សាក្រៅប្រព័ន្ធចូលមូលនិធិសុខភាពជាតិ ដោយទទួលយកបញ្ជីឈ្មោះតាមរយៈសហជីព។",
  significance: "ពីមុន កម្មករទាំងនេះគ្មានផ្លូវចូលរបបនេះទេ។ ឥឡូវនេះ ស្ត្រីប្រហែល ៣០០ នាក់អាចទទួលការព្យាបាលដោយឥតគិតថ្លៃនៅមន្ទីរពេទ្យរដ្ឋ។",
  contribution: "ពីខែមករា ដល់ខែមីនា ឆ្នាំ២០២៤ សហជីពបានប្រមូលទិន្នន័យសមាជិក ជួបមន្ទីរពីរដង និងដាក់ញត្តិដែលមានស្នាមមេដៃ ៤១២។",
  actorName: "មន្ទីរការងារខេត្តសៀមរាប",
  dateStart: "2024-03",
  place: "ខេត្តសៀមរាប",
};

describe("coaching checks on good statements", () => {
  it("find nothing in a specific English statement", () => expect(ids(goodEn, ORG_EN)).toEqual([]));
  it("find nothing in a specific Khmer statement", () => expect(ids(goodKm, ORG_KM)).toEqual([]));
});

describe("coaching checks on poor statements", () => {
  it("English: every check fires on a vague activity report", () => {
    const poor = { description: "We trained 40 workers on their rights.", significance: "Important.", contribution: "Training.", actorName: "our union" };
    expect(ids(poor, ORG_EN)).toEqual(["date", "actor", "behaviour", "place", "detail.description", "detail.significance", "detail.contribution"]);
  });

  it("Khmer: every check fires on a vague activity report", () => {
    const poor = { description: "យើងបានបណ្តុះបណ្តាលកម្មករ", significance: "សំខាន់", contribution: "វគ្គបណ្តុះបណ្តាល", actorName: "យើង" };
    expect(ids(poor, ORG_KM)).toEqual(["date", "actor", "behaviour", "place", "number", "detail.description", "detail.significance", "detail.contribution"]);
  });

  it.each([
    ["date", { dateStart: null }],
    ["actor", { actorName: ORG_EN }],
    ["actor", { actorName: "" }],
    ["behaviour", { description: `${goodEn.description} Then the union organised a meeting with them.` }],
    ["place", { place: null }],
    [
      "number",
      {
        peopleAffected: null,
        significance: "Before, these workers had no route into the scheme. Now many women can get free treatment at state hospitals.",
        contribution: "The union collected member data over several months, met the department several times and handed over a petition.",
        description:
          "In spring the provincial labour department in Siem Reap began registering informal massage workers for the national health fund through the union.",
      },
    ],
    ["detail.significance", { significance: "It helps workers." }],
  ])("English: %s fires alone", (id, change) => {
    const d = { ...goodEn, ...change };
    const found = ids(d, ORG_EN).filter((x) => x !== "number" || id === "number");
    expect(found).toEqual([id]);
  });

  it.each([
    ["actor", { actorName: "សហជីពយើង" }],
    ["behaviour", { description: `យើងបានរៀបចំកិច្ចប្រជុំជាមួយមន្ទីរការងារខេត្ត ${goodKm.description}` }],
    ["detail.contribution", { contribution: "យើងបានជួប។" }],
  ])("Khmer: %s fires alone", (id, change) => {
    expect(ids({ ...goodKm, ...change }, ORG_KM)).toEqual([id]);
  });

  it("a voice note counts as an answer for the detail check", () => {
    const d = { ...goodEn, significance: null };
    expect(runChecks(d, { organisationName: ORG_EN, voiceParts: new Set(["significance"]) }).map((f) => f.id)).toEqual([]);
  });
});
