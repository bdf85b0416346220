import { Global, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfigService } from '../config/app-config.service';
import { ApiKeyAuthenticator, parseApiKeys } from './api-key.authenticator';
import { AUTHENTICATOR, AuthGuard } from './auth.guard';
import { JwtAuthenticator } from './jwt.authenticator';
import type { Authenticator } from './principal';

function createAuthenticator(config: AppConfigService): Authenticator | null {
  const logger = new Logger('Auth');
  switch (config.get('AUTH_MODE')) {
    case 'api-key': {
      const spec = config.get('API_KEYS');
      if (!spec) throw new Error('AUTH_MODE=api-key needs API_KEYS (<key>=<user>|<user>,<key2>=*)');
      return new ApiKeyAuthenticator(parseApiKeys(spec));
    }
    case 'jwt':
      return new JwtAuthenticator({
        secret: config.get('JWT_SECRET'),
        publicKey: config.get('JWT_PUBLIC_KEY'),
        jwksUrl: config.get('JWT_JWKS_URL'),
        userClaim: config.get('JWT_USER_CLAIM'),
        audience: config.get('JWT_AUDIENCE'),
        issuer: config.get('JWT_ISSUER'),
      });
    default:
      logger.warn('AUTH_MODE=none: any caller may act for any user_id. Use api-key or jwt outside local use.');
      return null;
  }
}

@Global()
@Module({
  providers: [
    { provide: AUTHENTICATOR, inject: [AppConfigService], useFactory: createAuthenticator },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AUTHENTICATOR],
})
export class AuthModule {}
