/**
 * The pipe transport puppeteer talks to Chromium through: NUL-framed messages in both directions, a
 * message split across reads (even inside a multi-byte character) or several in one read delivered
 * whole and in order, and the end of the pipe reported once through onclose. Driven over in-memory
 * streams standing in for Chromium's fds 3 and 4.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { PipeTransport } from "../../src/render/pipe-transport.js";

function pipePair() {
  const toBrowser = new PassThrough();
  const fromBrowser = new PassThrough();
  const written: Buffer[] = [];
  toBrowser.on("data", (d: Buffer) => written.push(d));
  const transport = new PipeTransport(toBrowser, fromBrowser);
  const received: string[] = [];
  let closes = 0;
  transport.onmessage = (m) => received.push(m);
  transport.onclose = () => closes++;
  return { transport, toBrowser, fromBrowser, written, received, closes: () => closes };
}

const tick = () => new Promise((r) => setImmediate(r));

test("send writes each message followed by one NUL byte", async () => {
  const { transport, written } = pipePair();
  transport.send('{"id":1,"method":"Target.getBrowserContexts"}');
  transport.send('{"id":2,"method":"Page.enable","sessionId":"S1"}');
  await tick();
  assert.equal(
    Buffer.concat(written).toString("utf8"),
    '{"id":1,"method":"Target.getBrowserContexts"}\0{"id":2,"method":"Page.enable","sessionId":"S1"}\0',
  );
});

test("a message split across reads, even inside a character, arrives once and whole", async () => {
  const { transport, fromBrowser, received } = pipePair();
  let answered = false;
  void transport.answered.then(() => (answered = true));
  const message = Buffer.from('{"id":1,"result":{"note":"é"}}\0', "utf8");
  const cut = message.indexOf(0xc3) + 1; // between the two bytes of "é"
  fromBrowser.write(message.subarray(0, cut));
  await tick();
  assert.deepEqual(received, [], "nothing is handed on before its NUL");
  assert.equal(answered, false, "no answer yet");
  fromBrowser.write(message.subarray(cut));
  await tick();
  assert.deepEqual(received, ['{"id":1,"result":{"note":"é"}}']);
  assert.equal(answered, true, "the first complete message is Chromium's first answer");
});

test("several messages in one read, and one ending in the next read, are handed on in order", async () => {
  const { fromBrowser, received } = pipePair();
  fromBrowser.write('{"id":1,"result":{}}\0{"method":"Page.loadEventFired","params":{}}\0{"id":2,');
  await tick();
  assert.deepEqual(received, ['{"id":1,"result":{}}', '{"method":"Page.loadEventFired","params":{}}']);
  fromBrowser.write('"result":{}}\0');
  await tick();
  assert.deepEqual(received.slice(2), ['{"id":2,"result":{}}']);
});

test("Chromium ending the pipe is reported once; later sends are dropped, not thrown", async () => {
  const { transport, toBrowser, fromBrowser, written, closes } = pipePair();
  fromBrowser.end('{"id":1,"result":{}}\0{"id":2,"res'); // a crash mid-message
  await tick();
  await tick();
  assert.equal(closes(), 1, "onclose once");
  assert.equal(transport.isClosed, true);
  assert.equal(toBrowser.destroyed, true, "the command pipe is released");
  assert.doesNotThrow(() => transport.send('{"id":3,"method":"Browser.close"}'));
  transport.close();
  assert.equal(closes(), 1, "closing again reports nothing more");
  assert.equal(Buffer.concat(written).length, 0, "nothing was written after the end");
});

test("close() from memgap's side releases both pipes and reports the end once", async () => {
  const { transport, toBrowser, fromBrowser, received, closes } = pipePair();
  transport.close();
  assert.equal(closes(), 1);
  assert.equal(toBrowser.destroyed, true);
  assert.equal(fromBrowser.destroyed, true);
  await tick();
  assert.equal(closes(), 1, "the streams' own close events add nothing");
  assert.deepEqual(received, []);
});

test("a write error (EPIPE from a dead browser) ends the connection instead of throwing", async () => {
  const { toBrowser, closes, transport } = pipePair();
  toBrowser.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
  assert.equal(closes(), 1);
  assert.equal(transport.isClosed, true);
});
