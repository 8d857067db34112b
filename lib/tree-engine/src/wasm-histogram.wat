(import "m" "mem" (memory 1 65536 shared))
(func $unit8 (param i32 i32 i32 i32 i32 i32) (local i32)
  block
    local.get 5
    i32.eqz
    br_if 0
    loop
      local.get 1
      local.get 0
      local.get 2
      i32.load align=4
      i32.add
      i32.load8_u align=1
      i32.const 24
      i32.mul
      i32.add
      local.set 6
      local.get 6
      local.get 6
      f64.load align=8
      f64.const 1
      f64.add
      f64.store align=8
      local.get 6
      local.get 6
      f64.load offset=16 align=8
      local.get 4
      f64.load align=8
      f64.add
      f64.store offset=16 align=8
      local.get 2
      i32.const 4
      i32.add
      local.set 2
      local.get 4
      i32.const 8
      i32.add
      local.set 4
      local.get 5
      i32.const 1
      i32.sub
      local.tee 5
      br_if 0
    end
  end
)
(func $weighted8 (param i32 i32 i32 i32 i32 i32) (local i32)
  block
    local.get 5
    i32.eqz
    br_if 0
    loop
      local.get 1
      local.get 0
      local.get 2
      i32.load align=4
      i32.add
      i32.load8_u align=1
      i32.const 24
      i32.mul
      i32.add
      local.set 6
      local.get 6
      local.get 6
      f64.load align=8
      f64.const 1
      f64.add
      f64.store align=8
      local.get 6
      local.get 6
      f64.load offset=8 align=8
      local.get 3
      f64.load align=8
      f64.add
      f64.store offset=8 align=8
      local.get 3
      i32.const 8
      i32.add
      local.set 3
      local.get 6
      local.get 6
      f64.load offset=16 align=8
      local.get 4
      f64.load align=8
      f64.add
      f64.store offset=16 align=8
      local.get 2
      i32.const 4
      i32.add
      local.set 2
      local.get 4
      i32.const 8
      i32.add
      local.set 4
      local.get 5
      i32.const 1
      i32.sub
      local.tee 5
      br_if 0
    end
  end
)
(func $unit16 (param i32 i32 i32 i32 i32 i32) (local i32)
  block
    local.get 5
    i32.eqz
    br_if 0
    loop
      local.get 1
      local.get 0
      local.get 2
      i32.load align=4
      i32.const 1
      i32.shl
      i32.add
      i32.load16_u align=2
      i32.const 24
      i32.mul
      i32.add
      local.set 6
      local.get 6
      local.get 6
      f64.load align=8
      f64.const 1
      f64.add
      f64.store align=8
      local.get 6
      local.get 6
      f64.load offset=16 align=8
      local.get 4
      f64.load align=8
      f64.add
      f64.store offset=16 align=8
      local.get 2
      i32.const 4
      i32.add
      local.set 2
      local.get 4
      i32.const 8
      i32.add
      local.set 4
      local.get 5
      i32.const 1
      i32.sub
      local.tee 5
      br_if 0
    end
  end
)
(func $weighted16 (param i32 i32 i32 i32 i32 i32) (local i32)
  block
    local.get 5
    i32.eqz
    br_if 0
    loop
      local.get 1
      local.get 0
      local.get 2
      i32.load align=4
      i32.const 1
      i32.shl
      i32.add
      i32.load16_u align=2
      i32.const 24
      i32.mul
      i32.add
      local.set 6
      local.get 6
      local.get 6
      f64.load align=8
      f64.const 1
      f64.add
      f64.store align=8
      local.get 6
      local.get 6
      f64.load offset=8 align=8
      local.get 3
      f64.load align=8
      f64.add
      f64.store offset=8 align=8
      local.get 3
      i32.const 8
      i32.add
      local.set 3
      local.get 6
      local.get 6
      f64.load offset=16 align=8
      local.get 4
      f64.load align=8
      f64.add
      f64.store offset=16 align=8
      local.get 2
      i32.const 4
      i32.add
      local.set 2
      local.get 4
      i32.const 8
      i32.add
      local.set 4
      local.get 5
      i32.const 1
      i32.sub
      local.tee 5
      br_if 0
    end
  end
)
(func $partition8 (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (local i32 i32 i32 f64)
  local.get 4
  local.set 9
  local.get 5
  i32.const 1
  i32.sub
  local.set 10
  block
    loop
      block
        loop
          local.get 9
          local.get 10
          i32.gt_s
          br_if 1
          local.get 0
          local.get 1
          local.get 9
          i32.const 2
          i32.shl
          i32.add
          i32.load align=4
          i32.add
          i32.load8_u align=1
          local.set 11
          local.get 11
          local.get 6
          i32.le_u
          local.get 11
          local.get 7
          i32.eq
          local.get 8
          i32.and
          i32.or
          i32.eqz
          br_if 1
          local.get 9
          i32.const 1
          i32.add
          local.set 9
          br 0
        end
      end
      block
        loop
          local.get 9
          local.get 10
          i32.gt_s
          br_if 1
          local.get 0
          local.get 1
          local.get 10
          i32.const 2
          i32.shl
          i32.add
          i32.load align=4
          i32.add
          i32.load8_u align=1
          local.set 11
          local.get 11
          local.get 6
          i32.le_u
          local.get 11
          local.get 7
          i32.eq
          local.get 8
          i32.and
          i32.or
          br_if 1
          local.get 10
          i32.const -1
          i32.add
          local.set 10
          br 0
        end
      end
      local.get 9
      local.get 10
      i32.ge_s
      br_if 1
      local.get 1
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      local.set 11
      local.get 1
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      local.get 1
      local.get 10
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      i32.store align=4
      local.get 1
      local.get 10
      i32.const 2
      i32.shl
      i32.add
      local.get 11
      i32.store align=4
      local.get 2
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.set 12
      local.get 2
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      local.get 2
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      f64.store align=8
      local.get 2
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      local.get 12
      f64.store align=8
      local.get 3
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.set 12
      local.get 3
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      local.get 3
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      f64.store align=8
      local.get 3
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      local.get 12
      f64.store align=8
      local.get 9
      i32.const 1
      i32.add
      local.set 9
      local.get 10
      i32.const 1
      i32.sub
      local.set 10
      br 0
    end
  end
  local.get 9
)
(func $partition16 (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (local i32 i32 i32 f64)
  local.get 4
  local.set 9
  local.get 5
  i32.const 1
  i32.sub
  local.set 10
  block
    loop
      block
        loop
          local.get 9
          local.get 10
          i32.gt_s
          br_if 1
          local.get 0
          local.get 1
          local.get 9
          i32.const 2
          i32.shl
          i32.add
          i32.load align=4
          i32.const 1
          i32.shl
          i32.add
          i32.load16_u align=2
          local.set 11
          local.get 11
          local.get 6
          i32.le_u
          local.get 11
          local.get 7
          i32.eq
          local.get 8
          i32.and
          i32.or
          i32.eqz
          br_if 1
          local.get 9
          i32.const 1
          i32.add
          local.set 9
          br 0
        end
      end
      block
        loop
          local.get 9
          local.get 10
          i32.gt_s
          br_if 1
          local.get 0
          local.get 1
          local.get 10
          i32.const 2
          i32.shl
          i32.add
          i32.load align=4
          i32.const 1
          i32.shl
          i32.add
          i32.load16_u align=2
          local.set 11
          local.get 11
          local.get 6
          i32.le_u
          local.get 11
          local.get 7
          i32.eq
          local.get 8
          i32.and
          i32.or
          br_if 1
          local.get 10
          i32.const -1
          i32.add
          local.set 10
          br 0
        end
      end
      local.get 9
      local.get 10
      i32.ge_s
      br_if 1
      local.get 1
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      local.set 11
      local.get 1
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      local.get 1
      local.get 10
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      i32.store align=4
      local.get 1
      local.get 10
      i32.const 2
      i32.shl
      i32.add
      local.get 11
      i32.store align=4
      local.get 2
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.set 12
      local.get 2
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      local.get 2
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      f64.store align=8
      local.get 2
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      local.get 12
      f64.store align=8
      local.get 3
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.set 12
      local.get 3
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      local.get 3
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      f64.store align=8
      local.get 3
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      local.get 12
      f64.store align=8
      local.get 9
      i32.const 1
      i32.add
      local.set 9
      local.get 10
      i32.const 1
      i32.sub
      local.set 10
      br 0
    end
  end
  local.get 9
)
(func $partitionUnit8 (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (local i32 i32 i32 f64)
  local.get 4
  local.set 9
  local.get 5
  i32.const 1
  i32.sub
  local.set 10
  block
    loop
      block
        loop
          local.get 9
          local.get 10
          i32.gt_s
          br_if 1
          local.get 0
          local.get 1
          local.get 9
          i32.const 2
          i32.shl
          i32.add
          i32.load align=4
          i32.add
          i32.load8_u align=1
          local.set 11
          local.get 11
          local.get 6
          i32.le_u
          local.get 11
          local.get 7
          i32.eq
          local.get 8
          i32.and
          i32.or
          i32.eqz
          br_if 1
          local.get 9
          i32.const 1
          i32.add
          local.set 9
          br 0
        end
      end
      block
        loop
          local.get 9
          local.get 10
          i32.gt_s
          br_if 1
          local.get 0
          local.get 1
          local.get 10
          i32.const 2
          i32.shl
          i32.add
          i32.load align=4
          i32.add
          i32.load8_u align=1
          local.set 11
          local.get 11
          local.get 6
          i32.le_u
          local.get 11
          local.get 7
          i32.eq
          local.get 8
          i32.and
          i32.or
          br_if 1
          local.get 10
          i32.const -1
          i32.add
          local.set 10
          br 0
        end
      end
      local.get 9
      local.get 10
      i32.ge_s
      br_if 1
      local.get 1
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      local.set 11
      local.get 1
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      local.get 1
      local.get 10
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      i32.store align=4
      local.get 1
      local.get 10
      i32.const 2
      i32.shl
      i32.add
      local.get 11
      i32.store align=4
      local.get 3
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.set 12
      local.get 3
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      local.get 3
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      f64.store align=8
      local.get 3
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      local.get 12
      f64.store align=8
      local.get 9
      i32.const 1
      i32.add
      local.set 9
      local.get 10
      i32.const 1
      i32.sub
      local.set 10
      br 0
    end
  end
  local.get 9
)
(func $partitionUnit16 (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (local i32 i32 i32 f64)
  local.get 4
  local.set 9
  local.get 5
  i32.const 1
  i32.sub
  local.set 10
  block
    loop
      block
        loop
          local.get 9
          local.get 10
          i32.gt_s
          br_if 1
          local.get 0
          local.get 1
          local.get 9
          i32.const 2
          i32.shl
          i32.add
          i32.load align=4
          i32.const 1
          i32.shl
          i32.add
          i32.load16_u align=2
          local.set 11
          local.get 11
          local.get 6
          i32.le_u
          local.get 11
          local.get 7
          i32.eq
          local.get 8
          i32.and
          i32.or
          i32.eqz
          br_if 1
          local.get 9
          i32.const 1
          i32.add
          local.set 9
          br 0
        end
      end
      block
        loop
          local.get 9
          local.get 10
          i32.gt_s
          br_if 1
          local.get 0
          local.get 1
          local.get 10
          i32.const 2
          i32.shl
          i32.add
          i32.load align=4
          i32.const 1
          i32.shl
          i32.add
          i32.load16_u align=2
          local.set 11
          local.get 11
          local.get 6
          i32.le_u
          local.get 11
          local.get 7
          i32.eq
          local.get 8
          i32.and
          i32.or
          br_if 1
          local.get 10
          i32.const -1
          i32.add
          local.set 10
          br 0
        end
      end
      local.get 9
      local.get 10
      i32.ge_s
      br_if 1
      local.get 1
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      local.set 11
      local.get 1
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      local.get 1
      local.get 10
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      i32.store align=4
      local.get 1
      local.get 10
      i32.const 2
      i32.shl
      i32.add
      local.get 11
      i32.store align=4
      local.get 3
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.set 12
      local.get 3
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      local.get 3
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      f64.store align=8
      local.get 3
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      local.get 12
      f64.store align=8
      local.get 9
      i32.const 1
      i32.add
      local.set 9
      local.get 10
      i32.const 1
      i32.sub
      local.set 10
      br 0
    end
  end
  local.get 9
)
