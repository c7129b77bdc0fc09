// The Temporal connection settings every entry point uses (worker, CLI, npm start): @temporalio/envconfig's
// profile + TEMPORAL_* variables, plus the checks envconfig leaves to us.
import { loadClientConnectConfig } from '@temporalio/envconfig';

export type TemporalConnectConfig = ReturnType<typeof loadClientConnectConfig>;
export type TemporalConnectConfigOptions = Parameters<typeof loadClientConnectConfig>[0];

export class TemporalConfigError extends Error {
  override name = 'TemporalConfigError';
}

/**
 * envconfig honours TEMPORAL_TLS=false (or `tls.disabled` in a profile) even with an API key, which would then be
 * sent in clear on every call: that combination is refused rather than silently connecting without TLS.
 */
export function checkTemporalConnectConfig(cfg: TemporalConnectConfig): TemporalConnectConfig {
  const { apiKey, tls } = cfg.connectionOptions;
  if (apiKey && tls === false) {
    throw new TemporalConfigError(
      "Temporal configuration error: an API key (TEMPORAL_API_KEY or the profile's api_key) is set with TLS " +
        'turned off (TEMPORAL_TLS=false or tls.disabled): the key would travel in clear. Remove ' +
        'TEMPORAL_TLS=false, or the key.',
    );
  }
  return cfg;
}

export function loadTemporalConnectConfig(options?: TemporalConnectConfigOptions): TemporalConnectConfig {
  return checkTemporalConnectConfig(loadClientConnectConfig(options));
}
