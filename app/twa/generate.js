#!/usr/bin/env node
/*
 * Writes the Android Gradle project of the Omnibus app with Bubblewrap's TwaGenerator (@bubblewrap/core).
 *
 *   node generate.js <description.json> <icons dir> <output dir>
 *
 * The description (written by `python manage.py android_project`, pwa/android.py) is a Bubblewrap TWA
 * manifest whose icon URLs are the public ones, plus `localIcons`: the files of the icons in <icons dir>.
 * TwaGenerator downloads icons by URL; they are served to it from <icons dir> by a server on 127.0.0.1
 * that lives as long as this script: nothing leaves the machine. The saved twa-manifest.json carries
 * the public URLs, as `bubblewrap build` and `bubblewrap update` expect.
 */
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");
const {TwaGenerator, TwaManifest, ConsoleLog, fetchUtils} = require("@bubblewrap/core");

async function main() {
  const [descriptionFile, iconsDir, outDir] = process.argv.slice(2);
  if (!outDir) {
    throw new Error("usage: node generate.js <description.json> <icons dir> <output dir>");
  }
  const description = JSON.parse(fs.readFileSync(descriptionFile, "utf8"));
  const localIcons = description.localIcons;
  delete description.localIcons;

  const server = http.createServer((request, response) => {
    const name = path.basename(new URL(request.url, "http://127.0.0.1").pathname);
    const file = path.join(iconsDir, name);
    if (!Object.values(localIcons).includes(name) || !fs.existsSync(file)) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, {"Content-Type": "image/png"});
    fs.createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}/`;
  try {
    fetchUtils.setFetchEngine("node-fetch");  // plain HTTP/1.1 to the local server
    const local = new TwaManifest({
      ...description,
      iconUrl: base + localIcons.iconUrl,
      maskableIconUrl: base + localIcons.maskableIconUrl,
      monochromeIconUrl: base + localIcons.monochromeIconUrl,
    });
    await fs.promises.mkdir(outDir, {recursive: true});
    await new TwaGenerator().createTwaProject(outDir, local, new ConsoleLog("omnibus-twa"));
    await new TwaManifest(description).saveToFile(path.join(outDir, "twa-manifest.json"));
  } finally {
    server.close();
  }
}

main().then(() => process.exit(0), (error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
