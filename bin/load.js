// The operator commands are thin wrappers over the compiled code in dist/ (built by `npm ci`).
export async function load(module) {
  const url = new URL(`../dist/src/${module}`, import.meta.url);
  try {
    return await import(url.href);
  } catch (e) {
    if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(url.pathname)) {
      process.stderr.write(`keepa-deals is not built (${url.pathname} is missing): run \`npm ci\` or \`npm run build\` in ${new URL('..', import.meta.url).pathname}\n`);
      process.exit(2);
    }
    throw e;
  }
}
