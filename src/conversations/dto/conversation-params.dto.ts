import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { USER_ID_PATTERN } from '../../chat/thread-id';

export class UserParamsDto {
  @ApiProperty({ example: 'polo', pattern: USER_ID_PATTERN.source })
  @Matches(USER_ID_PATTERN, { message: 'user_id must be 1-64 characters from [A-Za-z0-9_.@-]' })
  user_id: string;
}

export class ThreadParamsDto extends UserParamsDto {
  @ApiProperty({ example: 'polo:20261124141530123042', description: '"<user_id>:<suffix>"' })
  @IsString()
  @MaxLength(200)
  thread_id: string;
}

export class ListConversationsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit: number = 10;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor must be a next_cursor returned by this endpoint' })
  cursor?: string;
}

export class ConversationDetailQueryDto {
  @ApiPropertyOptional({ default: true, description: 'false leaves out tool messages and AI messages that only call tools' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'include_tools must be true or false' })
  include_tools: boolean = true;
}
