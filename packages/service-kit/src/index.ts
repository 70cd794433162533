// Public surface of @flowzone/service-kit: named exports only.
export { howToGive, invalidSetting, primaryName, readSettings } from "./settings";
export type { Setting, SettingInfo, SettingSources, SettingValues } from "./settings";
export { choice, integer, parsed, port, requiredText, text } from "./setting-kinds";
export { StopList } from "./stop-list";
export { fatalSignal } from "./running-service";
export type { RunningService } from "./running-service";
export { HOME_SETTING, OPTIONAL_POLICY_SETTING } from "./common-settings";
