import { Module } from '@nestjs/common';
import { AgentModule } from '../agent/agent.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { RunsModule } from '../runs/runs.module';
import { ThreadLockModule } from '../thread-lock/thread-lock.module';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { AllowedModelRule, QuestionLengthRule } from './dto/chat-request.dto';
import { TurnRollback } from './turn-rollback';

@Module({
  imports: [AgentModule, ConversationsModule, ThreadLockModule, RunsModule, IdempotencyModule],
  controllers: [ChatController],
  providers: [ChatService, TurnRollback, QuestionLengthRule, AllowedModelRule],
})
export class ChatModule {}
