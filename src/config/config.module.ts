import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfigService } from './app-config.service';

@Global()
@Module({
  // Validation happens in AppConfigService, at DI time, so that each app instance
  // (and each e2e test) reads the environment it was created with.
  imports: [ConfigModule.forRoot({ ignoreEnvFile: true })],
  providers: [AppConfigService],
  exports: [AppConfigService],
})
export class AppConfigModule {}
