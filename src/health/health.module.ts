import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CheckpointModule } from '../checkpoint/checkpoint.module';
import { CheckpointerHealthIndicator } from './checkpointer.health';
import { DrainHealthIndicator } from './drain.health';
import { HealthController } from './health.controller';
import { ModelHealthIndicator } from './model.health';
import { RedisHealthIndicator } from './redis.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), CheckpointModule],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, CheckpointerHealthIndicator, DrainHealthIndicator, ModelHealthIndicator],
})
export class HealthModule {}
