import { Module } from '@nestjs/common';
import { AgentModule } from '../agent/agent.module';
import { RunsModule } from '../runs/runs.module';
import { ThreadLockModule } from '../thread-lock/thread-lock.module';
import { CHECKPOINTER_INFO, type CheckpointerInfo } from '../checkpoint/checkpoint.constants';
import { AppConfigService } from '../config/app-config.service';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CLIENT } from '../redis/redis.constants';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { CONVERSATION_INDEX, type ConversationIndex } from './index/conversation-index';
import { MemoryConversationIndex } from './index/memory-conversation.index';
import { RedisConversationIndex } from './index/redis-conversation.index';

@Module({
  imports: [AgentModule, RunsModule, ThreadLockModule],
  controllers: [ConversationsController],
  providers: [
    ConversationsService,
    {
      provide: CONVERSATION_INDEX,
      inject: [CHECKPOINTER_INFO, REDIS_CLIENT, AppConfigService],
      // The index lives where the checkpoints live, so both survive (and expire) together.
      useFactory: (info: CheckpointerInfo, redis: RedisConnection | null, config: AppConfigService): ConversationIndex =>
        info.embedded || !redis
          ? new MemoryConversationIndex()
          : new RedisConversationIndex(redis, config.get('CHECKPOINT_KEY_PREFIX'), (info.ttlMinutes ?? 0) * 60),
    },
  ],
  exports: [CONVERSATION_INDEX],
})
export class ConversationsModule {}
