import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DrainService } from './drain.service';
import { InFlightMiddleware } from './in-flight.middleware';

@Global()
@Module({
  providers: [DrainService],
  exports: [DrainService],
})
export class LifecycleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(InFlightMiddleware).forRoutes('{*splat}');
  }
}
