(import "m" "mem" (memory 1))
(func $walk (param i32 i32 i32 i32 i32 i32 i32 i32) (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
  i32.const 0
  local.set 8
  block
    loop
      local.get 8
      i32.const 4
      i32.add
      local.get 2
      i32.gt_u
      br_if 1
      local.get 1
      local.get 8
      i32.const 4
      i32.mul
      i32.add
      i32.load align=4
      local.tee 21
      local.get 4
      i32.mul
      local.get 3
      i32.add
      local.set 17
      local.get 0
      local.set 9
      local.get 0
      i32.load align=4
      local.set 13
      local.get 1
      local.get 8
      i32.const 4
      i32.mul
      i32.add
      i32.load offset=4 align=4
      local.tee 22
      local.get 4
      i32.mul
      local.get 3
      i32.add
      local.set 18
      local.get 0
      local.set 10
      local.get 0
      i32.load align=4
      local.set 14
      local.get 1
      local.get 8
      i32.const 4
      i32.mul
      i32.add
      i32.load offset=8 align=4
      local.tee 23
      local.get 4
      i32.mul
      local.get 3
      i32.add
      local.set 19
      local.get 0
      local.set 11
      local.get 0
      i32.load align=4
      local.set 15
      local.get 1
      local.get 8
      i32.const 4
      i32.mul
      i32.add
      i32.load offset=12 align=4
      local.tee 24
      local.get 4
      i32.mul
      local.get 3
      i32.add
      local.set 20
      local.get 0
      local.set 12
      local.get 0
      i32.load align=4
      local.set 16
      block
        loop
          local.get 13
          local.get 14
          i32.and
          local.get 15
          i32.and
          local.get 16
          i32.and
          i32.const 0
          i32.lt_s
          br_if 1
          local.get 9
          i32.load offset=4 align=4
          local.get 13
          i32.const 32767
          i32.and
          local.get 17
          local.get 13
          i32.const 16
          i32.shr_u
          i32.const 32767
          i32.and
          i32.add
          i32.load8_u align=1
          i32.sub
          i32.const 30
          i32.shr_s
          i32.const 8
          i32.and
          i32.add
          local.tee 9
          i32.load align=4
          local.set 13
          local.get 10
          i32.load offset=4 align=4
          local.get 14
          i32.const 32767
          i32.and
          local.get 18
          local.get 14
          i32.const 16
          i32.shr_u
          i32.const 32767
          i32.and
          i32.add
          i32.load8_u align=1
          i32.sub
          i32.const 30
          i32.shr_s
          i32.const 8
          i32.and
          i32.add
          local.tee 10
          i32.load align=4
          local.set 14
          local.get 11
          i32.load offset=4 align=4
          local.get 15
          i32.const 32767
          i32.and
          local.get 19
          local.get 15
          i32.const 16
          i32.shr_u
          i32.const 32767
          i32.and
          i32.add
          i32.load8_u align=1
          i32.sub
          i32.const 30
          i32.shr_s
          i32.const 8
          i32.and
          i32.add
          local.tee 11
          i32.load align=4
          local.set 15
          local.get 12
          i32.load offset=4 align=4
          local.get 16
          i32.const 32767
          i32.and
          local.get 20
          local.get 16
          i32.const 16
          i32.shr_u
          i32.const 32767
          i32.and
          i32.add
          i32.load8_u align=1
          i32.sub
          i32.const 30
          i32.shr_s
          i32.const 8
          i32.and
          i32.add
          local.tee 12
          i32.load align=4
          local.set 16
          br 0
        end
      end
      local.get 5
      local.get 21
      i32.const 3
      i32.shl
      i32.add
      local.get 5
      local.get 21
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 7
      local.get 9
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      f64.add
      f64.store align=8
      local.get 6
      local.get 21
      i32.const 3
      i32.shl
      i32.add
      local.get 6
      local.get 21
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 7
      local.get 9
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      local.get 7
      local.get 9
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      f64.mul
      f64.add
      f64.store align=8
      local.get 5
      local.get 22
      i32.const 3
      i32.shl
      i32.add
      local.get 5
      local.get 22
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 7
      local.get 10
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      f64.add
      f64.store align=8
      local.get 6
      local.get 22
      i32.const 3
      i32.shl
      i32.add
      local.get 6
      local.get 22
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 7
      local.get 10
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      local.get 7
      local.get 10
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      f64.mul
      f64.add
      f64.store align=8
      local.get 5
      local.get 23
      i32.const 3
      i32.shl
      i32.add
      local.get 5
      local.get 23
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 7
      local.get 11
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      f64.add
      f64.store align=8
      local.get 6
      local.get 23
      i32.const 3
      i32.shl
      i32.add
      local.get 6
      local.get 23
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 7
      local.get 11
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      local.get 7
      local.get 11
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      f64.mul
      f64.add
      f64.store align=8
      local.get 5
      local.get 24
      i32.const 3
      i32.shl
      i32.add
      local.get 5
      local.get 24
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 7
      local.get 12
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      f64.add
      f64.store align=8
      local.get 6
      local.get 24
      i32.const 3
      i32.shl
      i32.add
      local.get 6
      local.get 24
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 7
      local.get 12
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      local.get 7
      local.get 12
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      f64.mul
      f64.add
      f64.store align=8
      local.get 8
      i32.const 4
      i32.add
      local.set 8
      br 0
    end
  end
  block
    loop
      local.get 8
      local.get 2
      i32.ge_u
      br_if 1
      local.get 1
      local.get 8
      i32.const 4
      i32.mul
      i32.add
      i32.load align=4
      local.tee 21
      local.get 4
      i32.mul
      local.get 3
      i32.add
      local.set 17
      local.get 0
      local.set 9
      local.get 0
      i32.load align=4
      local.set 13
      block
        loop
          local.get 13
          i32.const 0
          i32.lt_s
          br_if 1
          local.get 9
          i32.load offset=4 align=4
          local.get 13
          i32.const 32767
          i32.and
          local.get 17
          local.get 13
          i32.const 16
          i32.shr_u
          i32.const 32767
          i32.and
          i32.add
          i32.load8_u align=1
          i32.sub
          i32.const 30
          i32.shr_s
          i32.const 8
          i32.and
          i32.add
          local.tee 9
          i32.load align=4
          local.set 13
          br 0
        end
      end
      local.get 5
      local.get 21
      i32.const 3
      i32.shl
      i32.add
      local.get 5
      local.get 21
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 7
      local.get 9
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      f64.add
      f64.store align=8
      local.get 6
      local.get 21
      i32.const 3
      i32.shl
      i32.add
      local.get 6
      local.get 21
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 7
      local.get 9
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      local.get 7
      local.get 9
      i32.const 1
      i32.shr_u
      i32.add
      f32.load align=4
      f64.promote_f32
      f64.mul
      f64.add
      f64.store align=8
      local.get 8
      i32.const 1
      i32.add
      local.set 8
      br 0
    end
  end
)
