// memgap drives a system Chromium (Debian's `chromium`); puppeteer must never download a browser,
// because these machines reach no browser download host and `npm ci` would fail.
/** @type {import("puppeteer").Configuration} */
module.exports = { skipDownload: true };
