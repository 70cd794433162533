// Public surface of @flowzone/service-kit: named exports only.
export { howToGive, invalidSetting, primaryName, readSettings } from "./settings";
export type { Setting, SettingInfo, SettingSources, SettingValues } from "./settings";
export { choice, integer, parsed, port, requiredText, text } from "./setting-kinds";
export { StopList } from "./stop-list";
export { fatalSignal } from "./running-service";
export type { RunningService } from "./running-service";
export { HOME_SETTING, OPTIONAL_POLICY_SETTING } from "./common-settings";
export { METRICS_TOKEN_FILE_SETTING, MIN_METRICS_TOKEN_LENGTH, readMetricsTokenFile } from "./metrics-token-setting";
export { SERVER_TLS_SETTINGS, serverTlsOf } from "./server-tls-settings";
export type { ServerTlsSettingValues } from "./server-tls-settings";
export { loadServerTls, TLS_ENV } from "./server-tls-files";
export type { ServerTlsFiles, ServerTlsMaterial } from "./server-tls-files";
export { ServerCertificates, TLS_POLL_INTERVAL_MS, tlsMode } from "./server-certificates";
export type { TlsLogger, WatchOptions } from "./server-certificates";
export { createWebServer } from "./https-server";
export type { WebServer } from "./https-server";
export { PortHold } from "./port-hold";
export type { PortHoldOptions, PortRelease, PortToHold } from "./port-hold";
