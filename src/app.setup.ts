import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { useContainer } from 'class-validator';
import helmet from 'helmet';
import { AppModule } from './app.module';
import { AUTHENTICATOR } from './auth/auth.guard';
import { docsAuthMiddleware } from './auth/docs-auth.middleware';
import type { Authenticator } from './auth/principal';
import {
  bodyParserErrorsMiddleware,
  requireJsonBodyMiddleware,
} from './common/middleware/body-parser-errors.middleware';
import { requestIdMiddleware } from './common/middleware/request-id.middleware';
import { AppConfigService } from './config/app-config.service';

/** Options for `NestFactory.create` / `createNestApplication`: the body parser is set up below. */
export const APP_OPTIONS = { bodyParser: false } as const;

function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('LangGraph agent service')
      .setDescription(
        'A LangGraph ReAct agent over REST with durable per-user conversations in Redis. ' +
          'A 200 from POST /api/chat means the turn is stored.',
      )
      .setVersion('0.1.0')
      // For AUTH_MODE=api-key or jwt: "Authorize" lets a tester enter a key or a token.
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .addBearerAuth({ type: 'http', scheme: 'bearer' }, 'bearer')
      .addSecurityRequirements('api-key')
      .addSecurityRequirements('bearer')
      .build(),
  );
  // JSON only: a YAML copy at /docs-yaml would be one more route for DOCS_PUBLIC=false to cover.
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', raw: ['json'] });
}

/**
 * Express-level set-up shared by `main.ts` and the e2e tests; everything that can be a
 * provider (filter, pipe, middleware) is registered in the modules instead.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfigService);
  // Lets validation rules such as QuestionLengthRule receive injected configuration.
  useContainer(app.select(AppModule), { fallbackOnErrors: true });
  const trustProxy = config.get('TRUST_PROXY');
  if (trustProxy && trustProxy !== 'false') app.set('trust proxy', /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy === 'true' || trustProxy);
  app.use(helmet());
  const origins = config.get('CORS_ORIGINS');
  if (origins) app.enableCors({ origin: origins.split(',').map((o) => o.trim()), exposedHeaders: ['X-Request-Id', 'Retry-After'] });
  app.use(requestIdMiddleware);
  app.use(requireJsonBodyMiddleware);
  app.useBodyParser('json', { limit: config.get('BODY_LIMIT') });
  app.use(bodyParserErrorsMiddleware);
  if (config.get('SWAGGER_ENABLED')) {
    const authenticator = app.get<Authenticator | null>(AUTHENTICATOR);
    if (authenticator && !config.get('DOCS_PUBLIC')) app.use(['/docs', '/docs-json'], docsAuthMiddleware(authenticator));
    setupSwagger(app);
  }
  return app;
}
