/** Every bundled sample gets the primary verdict its truth file states (or an accepted alternative). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sampleModels, sampleNames, truth } from "../helpers/sample-models.js";

for (const name of sampleNames()) {
  test(`${name}: primary verdict matches the truth`, async () => {
    const { analysis } = await sampleModels(name);
    const t = truth(name);
    const accepted = [t.diagnosis, ...t.acceptable_alternatives];
    assert.ok(
      accepted.includes(analysis.verdict.primary),
      `${name}: got ${analysis.verdict.primary} (${analysis.verdict.headline}); truth ${accepted.join(" or ")}`,
    );
    if (analysis.verdict.primary !== "healthy" && analysis.verdict.primary !== "insufficient-data")
      assert.match(analysis.verdict.headline, /\d/, "the headline carries numbers");
  });
}

test("healthy-steady fires no finding", async () => {
  const { analysis } = await sampleModels("healthy-steady");
  const fired = analysis.findings.filter((f) => f.status === "fired").map((f) => `${f.id}: ${f.summary}`);
  assert.deepEqual(fired, []);
});

test("heap-leak names main.(*sessionCache).remember as the top growth site, with its file:line", async () => {
  const { analysis } = await sampleModels("heap-leak");
  const leak = analysis.findings.find((f) => f.id === "heap-leak");
  assert.equal(leak?.status, "fired");
  const top = leak?.growthSites?.[0];
  assert.equal(top?.func, "main.(*sessionCache).remember");
  assert.match(top?.location ?? "", /\.go:\d+$/);
  assert.ok((top?.growthBytes ?? 0) > 100 * 1024 * 1024);
});

test("madvfree-burst: the transition where RSS and Go's accounting part ways", async () => {
  const { analysis } = await sampleModels("madvfree-burst");
  const opens = analysis.transitions.filter((t) => t.kind === "gap-opens");
  assert.equal(opens.length, 1, JSON.stringify(analysis.transitions.map((t) => t.description)));
  const at = new Date(opens[0]!.at).toISOString();
  assert.ok(at >= "2026-11-24T05:23:04" && at <= "2026-11-24T05:23:08", at);
  assert.match(opens[0]!.description, /RSS/);
});
