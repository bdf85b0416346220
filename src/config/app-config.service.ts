import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ENV_KEYS, EnvironmentVariables, validateEnv } from './env.validation';

/**
 * Typed, read-only view of the environment, validated once when the app is created:
 * an invalid value stops start-up with a message naming the variable.
 */
@Injectable()
export class AppConfigService {
  private readonly env: EnvironmentVariables;

  constructor(config: ConfigService) {
    const raw = Object.fromEntries(ENV_KEYS.map((key) => [key, config.get<unknown>(key)]));
    this.env = validateEnv(raw);
  }

  get<K extends keyof EnvironmentVariables>(key: K): EnvironmentVariables[K] {
    return this.env[key];
  }
}
