// Node side of the browser tests: the static servers of the checkout
// (cross-origin isolated, and plain unless told not) and headless Chromium
// that the *.test.mjs files start in `before`, and the check pages they open.
import { serve } from '../../scripts/serve.mjs';
import { launchChromium } from '../../scripts/chromium.mjs';

/** Resolves to { browser, url(isolated), close() }. */
export async function startBrowser({ plain = true } = {}) {
  const servers = { isolated: await serve({ isolated: true }) };
  const closeServers = () => Promise.all(Object.values(servers).map((s) => s.close()));
  let browser;
  try {
    if (plain) servers.plain = await serve({ isolated: false });
    browser = await launchChromium();
  } catch (e) {
    await closeServers();
    throw e;
  }
  return {
    browser,
    url: (isolated) => (isolated ? servers.isolated : servers.plain).url,
    close: async () => {
      await browser.close();
      await closeServers();
    },
  };
}

/** A new page at `url` once it has set window.pageReady; setup(page) runs before it loads. */
export async function openCheckPage(browser, url, setup = () => {}) {
  const page = await browser.context.newPage();
  try {
    setup(page);
    await page.goto(url);
    await page.waitForFunction(() => window.pageReady === true);
    return page;
  } catch (e) {
    await page.close();
    throw e;
  }
}

/** How far the page and each card reach beyond the viewport's width (0 when nothing overflows). */
export const overflow = (page) => page.evaluate(() => {
  const vw = document.documentElement.clientWidth;
  const cards = [...document.querySelectorAll('.card, header, .notice:not([hidden])')].map((c) => Math.max(0, Math.ceil(c.getBoundingClientRect().right) - vw));
  return { vw, page: document.documentElement.scrollWidth - vw, cards: Math.max(0, ...cards) };
});
