/**
 * The DevTools connection to a Chromium started with `--remote-debugging-pipe`, in the shape of
 * puppeteer's ConnectionTransport (send, close, onmessage, onclose), so that pdf.ts can hand it to
 * `puppeteer.connect({ transport })` for a browser memgap spawned itself.
 *
 * Chromium reads commands on its fd 3 and writes answers and events on its fd 4; on both, each message
 * is one JSON text ended by a NUL byte. A read may hold part of a message, or several: the bytes before
 * the first NUL are kept until the rest arrives, and every complete message is handed on in order.
 */
import type { Readable, Writable } from "node:stream";

export class PipeTransport {
  /** puppeteer's Connection sets these after it is given the transport */
  onmessage?: (message: string) => void;
  onclose?: () => void;
  /**
   * Resolves when the first message from Chromium has arrived (it sends none unasked, so that is the
   * answer to the first command): the browser is up. Never rejects.
   */
  readonly answered: Promise<void>;
  private markAnswered: () => void = () => undefined;
  /** bytes of a message not yet ended by its NUL */
  private partial: Buffer[] = [];
  private closed = false;

  constructor(
    private readonly toBrowser: Writable,
    private readonly fromBrowser: Readable,
  ) {
    this.answered = new Promise((resolve) => (this.markAnswered = resolve));
    fromBrowser.on("data", (chunk: Buffer) => this.receive(chunk));
    fromBrowser.on("end", () => this.close());
    fromBrowser.on("close", () => this.close());
    // A read or a write after Chromium died fails (EPIPE, ECONNRESET): that is the end of the
    // connection, reported through onclose (puppeteer then rejects what is pending), never thrown.
    fromBrowser.on("error", () => this.close());
    toBrowser.on("error", () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Send one protocol message; after the connection ended it is dropped (puppeteer has been told). */
  send(message: string): void {
    if (this.closed) return;
    this.toBrowser.write(message + "\0");
  }

  /** End the connection (from either side; only the first call counts): the pipes are released. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.partial = [];
    this.toBrowser.destroy();
    this.fromBrowser.destroy();
    this.onclose?.();
  }

  private receive(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(0, start); end !== -1 && !this.closed; end = chunk.indexOf(0, start)) {
      this.partial.push(chunk.subarray(start, end));
      const message = Buffer.concat(this.partial).toString("utf8");
      this.partial = [];
      start = end + 1;
      this.markAnswered();
      this.onmessage?.(message);
    }
    if (start < chunk.length && !this.closed) this.partial.push(chunk.subarray(start));
  }
}
