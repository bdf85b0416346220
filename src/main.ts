import { Logger } from '@nestjs/common';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp } from './app.setup';
import { AppConfigService } from './config/app-config.service';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { ...APP_OPTIONS, bufferLogs: true });
  // JSON logs (LOG_PRETTY=true for humans), with the request id on every line of a request.
  app.useLogger(app.get(PinoNestLogger));
  configureApp(app);
  // process.exit(0) after the shutdown hooks, instead of re-raising the signal.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const config = app.get(AppConfigService);
  await app.listen(config.get('PORT'), config.get('HOST'));
  Logger.log(`listening on ${await app.getUrl()} (Swagger UI at /docs)`, 'Bootstrap');
}

bootstrap().catch((err: Error) => {
  // Configuration errors already name the variable; a stack trace would only bury that.
  Logger.error(err.message, 'Bootstrap');
  process.exit(1);
});
