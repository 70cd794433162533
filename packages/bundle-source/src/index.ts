export { BundleDirError } from "./bundle-dir-error";
export { readBundleDir } from "./read-bundle-dir";
export { fingerprintOf, watchBundleDir } from "./watch-bundle-dir";
export type { BundleWatcher, WatchBundleDirOptions } from "./watch-bundle-dir";
